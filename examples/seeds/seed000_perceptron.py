# seed 000: a perceptron (one Linear + sigmoid) on two Gaussian clusters, BCELoss, Adam
import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

LEFT_CENTER = (3, 3)
RIGHT_CENTER = (3, -2)


def get_toy_data(batch_size, left_center=LEFT_CENTER, right_center=RIGHT_CENTER):
    x_data = []
    y_targets = np.zeros(batch_size)
    for batch_i in range(batch_size):
        if np.random.random() > 0.5:
            x_data.append(np.random.normal(loc=left_center))
        else:
            x_data.append(np.random.normal(loc=right_center))
            y_targets[batch_i] = 1
    return torch.tensor(np.array(x_data), dtype=torch.float32), \
        torch.tensor(y_targets, dtype=torch.float32)


class Perceptron(nn.Module):
    """ 퍼셉트론은 하나의 선형 층입니다 """

    def __init__(self, input_dim):
        super(Perceptron, self).__init__()
        self.fc1 = nn.Linear(input_dim, 1)

    def forward(self, x_in):
        return torch.sigmoid(self.fc1(x_in))


np.random.seed(1337)
torch.manual_seed(1337)
lr = 0.01
input_dim = 2
batch_size = 1000
n_epochs = 12
n_batches = 5
perceptron = Perceptron(input_dim=input_dim)
optimizer = optim.Adam(params=perceptron.parameters(), lr=lr)
bce_loss = nn.BCELoss()
losses = []
change = 1.0
last = 10.0
epsilon = 1e-3
epoch = 0
while change > epsilon or epoch < n_epochs or last > 0.3:
    for _ in range(n_batches):
        optimizer.zero_grad()
        x_data, y_target = get_toy_data(batch_size)
        y_pred = perceptron(x_data).squeeze()
        loss = bce_loss(y_pred, y_target)
        loss.backward()
        optimizer.step()
        loss_value = loss.item()
        losses.append(loss_value)
        change = abs(last - loss_value)
        last = loss_value
    epoch += 1
    if epoch > 200:
        break

x_test, y_test = get_toy_data(1000)
y_pred = perceptron(x_test)
y_pred = (y_pred > 0.5).long().data.numpy().astype(np.int32).squeeze()
accuracy = float((y_pred == y_test.numpy()).mean())
print(f"epochs: {epoch}, final loss: {last:.4f}, test accuracy: {accuracy:.3f}")
