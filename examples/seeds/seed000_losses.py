# seed 000: MSE, cross entropy, BCE (codes 3-6 .. 3-9), with fixed inputs instead of randn
import torch
import torch.nn as nn

mse_loss = nn.MSELoss()
outputs = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]], requires_grad=True)
targets = torch.tensor([[0.0, -1.0, 1.0], [1.0, 1.0, 0.0]])
loss = mse_loss(outputs, targets)
loss.backward()
print(loss)
print(outputs.grad)

ce_loss = nn.CrossEntropyLoss()
outputs = torch.tensor([[1.0, 2.0, 0.5, -1.0, 0.0], [0.3, -0.2, 0.1, 2.0, 1.0],
                        [-1.0, 0.0, 1.0, 2.0, 3.0]], requires_grad=True)
targets = torch.tensor([1, 0, 3], dtype=torch.int64)
loss = ce_loss(outputs, targets)
loss.backward()
print(loss)
print(outputs.grad)

bce_loss = nn.BCELoss()
sigmoid = nn.Sigmoid()
logits = torch.tensor([[0.2], [-0.4], [0.5], [0.33]], requires_grad=True)
probabilities = sigmoid(logits)
print(probabilities)
targets = torch.tensor([1, 0, 1, 0], dtype=torch.float32).view(4, 1)
loss = bce_loss(probabilities, targets)
loss.backward()
print(loss)
print(logits.grad)

bce_logits = nn.BCEWithLogitsLoss()
loss = bce_logits(torch.tensor([[1e4], [-1e4], [0.0]]), torch.tensor([[1.0], [1.0], [0.0]]))
print(loss)
