"""Pillar 1: the split, preprocessing fitted on training rows only, seeded loaders, datasets and CSV files."""

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pillars import datasets
from pillars.backends import backend
from pillars.data import EpochShuffle, Preprocessor, make_loaders, prepare, split_indices
from pillars.errors import ConfigError, DataError, MissingFileError


@st.composite
def fractions(draw):
    train = draw(st.floats(0.3, 0.8))
    val = draw(st.floats(0.05, 0.95 - train))
    return (train, val, 1 - train - val)


@given(n_rows=st.integers(20, 400), fractions=fractions(), seed=st.integers(0, 2**31 - 1))
def test_split_is_disjoint_covering_and_sized_by_the_fractions(n_rows, fractions, seed):
    split = split_indices(n_rows, fractions, seed)
    parts = [split.train, split.val, split.test]
    joined = np.concatenate(parts)
    assert sorted(joined.tolist()) == list(range(n_rows))          # every row once: disjoint and covering
    for part, fraction in zip(parts, fractions):
        assert abs(len(part) - fraction * n_rows) <= 1.5


@given(n_rows=st.integers(20, 200), fractions=fractions(), seed=st.integers(0, 2**31 - 1))
def test_split_depends_on_the_seed_alone(n_rows, fractions, seed):
    first, second = split_indices(n_rows, fractions, seed), split_indices(n_rows, fractions, seed)
    for part in ("train", "val", "test"):
        assert np.array_equal(getattr(first, part), getattr(second, part))


@given(counts=st.lists(st.integers(20, 60), min_size=2, max_size=5), seed=st.integers(0, 1000))
def test_stratified_split_keeps_each_class_share_in_every_part(counts, seed):
    labels = np.repeat(np.arange(len(counts)), counts)
    np.random.default_rng(seed).shuffle(labels)
    split = split_indices(len(labels), (0.6, 0.2, 0.2), seed, stratify=labels)
    for part in (split.train, split.val, split.test):
        for label, count in enumerate(counts):
            share = np.mean(labels[part] == label)
            assert abs(share - count / len(labels)) <= 1.5 / len(part) + 1e-12


def test_the_same_rows_reach_every_backend():
    data = prepare(datasets.load("wine"), seed=3)
    batches = {}
    for name in ("minigrad", "torch"):
        loaders = make_loaders(data, backend(name), batch_size=16, seed=3)
        loaders.train.sampler.set_epoch(2)
        batches[name] = [(x.numpy(), y.numpy()) for x, y in loaders.train]
    for (x_mg, y_mg), (x_t, y_t) in zip(batches["minigrad"], batches["torch"], strict=True):
        assert np.array_equal(x_mg, x_t) and np.array_equal(y_mg, y_t)


@pytest.mark.parametrize("bad", [(0.7, 0.3), (0.5, 0.3, 0.3), (0.8, 0.2, 0.0), (1.2, -0.1, -0.1)])
def test_fractions_must_be_three_positive_numbers_summing_to_one(bad):
    with pytest.raises(ConfigError, match="sum to 1"):
        split_indices(100, bad)


def test_too_few_rows_for_a_split_are_refused():
    with pytest.raises(DataError, match="too few"):
        split_indices(4, (0.8, 0.1, 0.1))



@pytest.mark.parametrize("n_rows", [100.5, 100.0, "100", True])
def test_a_row_count_that_is_not_a_whole_number_is_refused(n_rows):
    """100.5 used to split 101 rows, with indices that were floats."""
    with pytest.raises(ConfigError, match=re.escape(f"n_rows must be a whole number of rows, got {n_rows!r}")):
        split_indices(n_rows)
    assert sum(split_indices(np.int64(100)).sizes().values()) == 100       # NumPy's integers are whole numbers

def test_preprocessing_is_fitted_on_the_training_rows_only():
    table = datasets.load("wine")
    data = prepare(table, seed=1)
    train_rows = table.features[data.split.train]
    assert np.allclose(data.preprocessor.scaler.mean_, train_rows.mean(axis=0))
    assert np.allclose(data.preprocessor.scaler.scale_, train_rows.std(axis=0))
    features, _ = data.part("train")
    assert np.allclose(features.mean(axis=0), 0, atol=1e-5)
    assert not np.allclose(data.part("test")[0].mean(axis=0), 0, atol=1e-5)   # test rows were not used


def test_one_hot_categories_come_from_the_training_rows_and_unknown_ones_encode_as_zeros():
    rows = np.array([[1.0, "red"], [2.0, "blue"], [3.0, "red"]], dtype=object)
    preprocessor = Preprocessor(categorical=[1]).fit(rows)
    encoded = preprocessor.transform(np.array([[2.0, "green"], [2.0, "blue"]], dtype=object))
    assert encoded.shape == (2, 3)
    assert np.array_equal(encoded[:, 1:], [[0, 0], [1, 0]])       # categories sorted: blue, red
    rebuilt = Preprocessor.from_state(preprocessor.state())
    assert np.array_equal(rebuilt.transform(rows), preprocessor.transform(rows))


def test_regression_targets_are_standardised_with_training_statistics_and_decoded_back():
    table = datasets.load("diabetes")
    data = prepare(table, seed=0)
    train_targets = table.target[data.split.train]
    assert data.task.target_mean == pytest.approx(train_targets.mean())
    encoded = data.part("test")[1]
    assert np.allclose(data.task.decode(encoded), table.target[data.split.test])


@given(seed=st.integers(0, 2**31 - 1), epoch=st.integers(0, 50), skip=st.integers(0, 30))
def test_training_order_comes_from_seed_and_epoch_and_skip_resumes_it(seed, epoch, skip):
    sampler = EpochShuffle(30, seed)
    sampler.set_epoch(epoch)
    whole = list(sampler)
    assert sorted(whole) == list(range(30))
    sampler.set_epoch(epoch, skip=skip)
    assert list(sampler) == whole[skip:] and len(sampler) == 30 - skip
    other = EpochShuffle(30, seed)
    other.set_epoch(epoch + 1)
    assert list(other) != whole          # a new epoch draws a new order


def test_validation_and_test_loaders_keep_their_order():
    data = prepare(datasets.load("digits"), seed=0)
    loaders = make_loaders(data, backend("minigrad"), batch_size=50, seed=0)
    targets = np.concatenate([y.numpy() for _, y in loaders.test])
    assert np.array_equal(targets, data.part("test")[1])


@pytest.mark.parametrize("layout, shape", [("flat", (64,)), ("image", (1, 8, 8)), ("sequence", (8, 8))])
def test_digits_come_flat_as_images_or_as_sequences(layout, shape):
    assert prepare(datasets.load("digits"), layout=layout).input_shape == shape


def test_a_cnn_needs_image_data():
    with pytest.raises(ConfigError, match="not images"):
        prepare(datasets.load("wine"), layout="image")


def test_bundled_datasets_have_their_tasks():
    tasks = {name: datasets.load(name).task for name in ("digits", "breast_cancer", "wine", "diabetes", "linear")}
    assert tasks == {"digits": "multiclass", "breast_cancer": "binary", "wine": "multiclass",
                     "diabetes": "regression", "linear": "regression"}


def test_linear_data_follows_its_true_line():
    table = datasets.linear(n_rows=500, n_features=2, noise=0.01, seed=4)
    residual = table.target - (table.features @ table.truth["weight"] + table.truth["bias"])
    assert np.std(residual) < 0.02


# ------------------------------------------------------------------ CSV files
def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_csv_with_text_labels_and_a_category_column(tmp_path):
    path = write(tmp_path, "size,colour,label\n1.5,red,yes\n2.5,blue,no\n3.0,red,yes\n")
    table = datasets.read_csv(path, "label")
    assert table.task == "binary" and table.class_names == ["no", "yes"]
    assert table.categorical == [1] and table.feature_names == ["size", "colour"]
    assert table.target.tolist() == [1, 0, 1]


def test_csv_numeric_target_is_classes_or_values(tmp_path):
    classes = datasets.read_csv(write(tmp_path, "x,y\n1,0\n2,1\n3,2\n"), "y")
    values = datasets.read_csv(write(tmp_path, "x,y\n1,0.5\n2,1.25\n3,2\n", "v.csv"), "y")
    forced = datasets.read_csv(write(tmp_path, "x,y\n1,0\n2,1\n3,2\n", "f.csv"), "y", task="regression")
    assert (classes.task, values.task, forced.task) == ("multiclass", "regression", "regression")


@pytest.mark.parametrize("text, message", [
    ("x,y\n1,0\nabc,1\n", "line 3, column 'x': 'abc' is not a number"),
    ("x,y\n1,0\nnan,1\n", "line 3, column 'x': missing value 'nan'"),
    ("x,y\n1,0\n,1\n", "line 3, column 'x': empty cell"),
    ("x,y\n1,0\ninf,1\n", "line 3, column 'x': 'inf' is not a finite number"),
    ("x,y\n1,0\n2\n", "line 3: 1 cells, but the header names 2 columns"),
    ("x,y\n", "a header but no rows"),
    ("", "the file is empty"),
    ("x,x,y\n1,2,0\n", "column names repeat: x"),
])
def test_bad_csv_cells_are_named_by_line_and_column(tmp_path, text, message):
    with pytest.raises(DataError) as caught:
        datasets.read_csv(write(tmp_path, text), "y")
    assert message in str(caught.value)


def test_missing_csv_file_and_missing_target_column(tmp_path):
    with pytest.raises(MissingFileError, match="not found"):
        datasets.read_csv(tmp_path / "nowhere.csv", "y")
    with pytest.raises(DataError, match="no column 'label'; its columns are x, y"):
        datasets.read_csv(write(tmp_path, "x,y\n1,0\n"), "label")



def test_a_folder_given_for_a_csv_file_is_named_as_a_folder(tmp_path):
    with pytest.raises(IsADirectoryError, match=re.escape(f"{tmp_path} is a folder, not a file")):
        datasets.read_csv(tmp_path, "y")
    with pytest.raises(IsADirectoryError, match=re.escape(f"{tmp_path} is a folder, not a file")):
        datasets.read_features(tmp_path, ["x"])

def test_unknown_dataset():
    with pytest.raises(ConfigError, match="unknown dataset 'mnist'"):
        datasets.load("mnist")


def test_features_for_prediction_ignore_the_target_and_name_missing_columns(tmp_path):
    path = write(tmp_path, "b,a,label\n2,1,x\n4,3,y\n")
    assert datasets.read_features(path, ["a", "b"]).tolist() == [[1, 2], [3, 4]]
    with pytest.raises(DataError, match="no column 'c'"):
        datasets.read_features(path, ["a", "c"])


def test_a_table_of_categories_only_is_one_hot_encoded_without_a_scaler(tmp_path):
    path = write(tmp_path, "colour,size,label\n" + "red,S,a\nblue,M,b\nred,L,a\ngreen,S,b\n" * 10)
    data = prepare(datasets.read_csv(path, "label"), seed=0)
    features, _ = data.part("train")
    assert features.shape[1] == 6 and set(np.unique(features)) == {0.0, 1.0}
    rebuilt = Preprocessor.from_state(data.preprocessor.state())
    rows = datasets.read_csv(path, "label").features
    assert np.array_equal(rebuilt.transform(rows), data.preprocessor.transform(rows))


def test_without_scaling_number_columns_pass_through():
    table = datasets.load("wine")
    data = prepare(table, seed=1, scale=False, dtype="float64")
    assert np.array_equal(data.part("train")[0], table.features[data.split.train])
