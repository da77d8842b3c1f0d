"""Autograd: grad mode switches, the backward engine, and user-defined Functions."""

from minigrad.autograd import functional, graph, profiler
from minigrad.autograd.anomaly_mode import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from minigrad.autograd.function import Function, FunctionCtx
from minigrad.autograd.grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from minigrad.autograd.gradcheck import gradcheck, gradgradcheck
from minigrad.autograd.gradients import backward, grad
from minigrad.autograd.variable import Variable


__all__ = ["Function", "FunctionCtx", "Variable", "backward", "detect_anomaly", "grad", "gradcheck", "gradgradcheck",
           "graph", "is_anomaly_enabled",
           "set_detect_anomaly", "enable_grad", "inference_mode", "is_grad_enabled",
           "no_grad", "set_grad_enabled"]
