# seed 004: linear regression (diabetes: Boston is gone from scikit-learn) and logistic
# regression on breast cancer, with FloatTensor, .view(-1, 1), nn.Sequential, SGD
import torch
import torch.nn as nn
import torch.optim as optim
from sklearn import datasets

dataset = datasets.load_diabetes()
X, y = dataset['data'], dataset['target']
X = torch.FloatTensor(X)
y = torch.FloatTensor(y).view(-1, 1)
X = (X - torch.mean(X)) / torch.std(X)
y = (y - torch.mean(y)) / torch.std(y)
model = nn.Linear(10, 1)
criterion = nn.MSELoss()
optimizer = optim.SGD(model.parameters(), lr=0.01)


def train(model, criterion, optimizer, X, y):
    optimizer.zero_grad()
    hypothesis = model(X)
    loss = criterion(hypothesis, y)
    loss.backward()
    optimizer.step()
    return loss.item()


n_epochs = 100
for epoch in range(1, n_epochs):
    loss = train(model, criterion, optimizer, X, y)
    if epoch % 25 == 0:
        print('epoch: {}, loss: {:.4f}'.format(epoch, loss))

dataset = datasets.load_breast_cancer()
X, y = dataset['data'], dataset['target']
X = torch.FloatTensor(X)
y = torch.FloatTensor(y).view(-1, 1)
X = (X - torch.mean(X)) / torch.std(X)
print(X.shape, y.shape)
model = nn.Sequential(
    nn.Linear(30, 1),
    nn.Sigmoid()
)
criterion = nn.BCELoss()
optimizer = optim.SGD(model.parameters(), lr=0.1)
n_epochs = 100
for epoch in range(1, n_epochs + 1):
    loss = train(model, criterion, optimizer, X, y)
    if epoch % 25 == 0:
        print('epoch: {}, loss: {:.4f}'.format(epoch, loss))
final_loss = loss
