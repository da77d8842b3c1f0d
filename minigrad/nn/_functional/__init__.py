"""The functional forms of torch.nn layers, split by family under minigrad/nn/_functional."""
