# seed 000: activation functions (sigmoid, tanh, ReLU, PReLU, softmax)
import matplotlib.pyplot as plt
import torch

x = torch.arange(-5., 5., 0.1)
y = torch.sigmoid(x)
plt.plot(x.numpy(), y.detach().numpy())

y = torch.tanh(x)
plt.plot(x.numpy(), y.detach().numpy())

relu = torch.nn.ReLU()
y = relu(x)
plt.plot(x.numpy(), y.detach().numpy())

prelu = torch.nn.PReLU(num_parameters=1)
y = prelu(x)
plt.plot(x.numpy(), y.detach().numpy())

softmax = torch.nn.Softmax(dim=1)
x_input = torch.tensor([[0.3, 2.5, -1.0]])
y_output = softmax(x_input)
print(x_input)
print(y_output)
print(torch.sum(y_output, dim=1))
