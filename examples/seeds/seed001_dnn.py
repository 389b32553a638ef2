# seed 001: the DNN with BatchNorm1d, Dropout, ReLU and weight initialization, NLLLoss, Adam,
# tqdm progress bars, state_dict checkpoints and early stopping (MNIST -> scikit-learn digits)
import os
import tempfile

import torch
import torch.nn as nn
import torch.optim as optim
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset
from tqdm import tqdm

torch.manual_seed(0)
digits = load_digits()
images = torch.tensor(digits.images / 16.0, dtype=torch.float32).view(-1, 1, 8, 8)
labels = torch.tensor(digits.target, dtype=torch.int64)
full_dataset = TensorDataset(images, labels)
train_num = int(len(full_dataset) * 0.8)
valid_num = len(full_dataset) - train_num
train_dataset, valid_dataset = torch.utils.data.random_split(full_dataset, [train_num, valid_num])
train_dataloader = DataLoader(train_dataset, batch_size=32, shuffle=True)
valid_dataloader = DataLoader(valid_dataset, batch_size=32, shuffle=False)
device = 'cuda' if torch.cuda.is_available() else 'cpu'


class DNN(nn.Module):
    def __init__(self, hidden_dims, num_classes, dropout_ratio, apply_batchnorm, apply_dropout,
                 apply_activation, set_super):
        if set_super:
            super().__init__()
        self.hidden_dims = hidden_dims
        self.layers = nn.ModuleList()
        for i in range(len(self.hidden_dims) - 1):
            self.layers.append(nn.Linear(self.hidden_dims[i], self.hidden_dims[i + 1]))
            if apply_batchnorm:
                self.layers.append(nn.BatchNorm1d(self.hidden_dims[i + 1]))
            if apply_dropout:
                self.layers.append(nn.Dropout(dropout_ratio))
            if apply_activation:
                self.layers.append(nn.ReLU())
        self.classifier = nn.Linear(self.hidden_dims[-1], num_classes)
        self.softmax = nn.LogSoftmax(dim=1)

    def forward(self, x):
        x = x.view(x.size(0), -1)
        for layer in self.layers:
            x = layer(x)
        output = self.classifier(x)
        output = self.softmax(output)
        return output

    def weight_initialization(model, weight_init_method):
        for m in model.modules():
            if isinstance(m, nn.Linear):
                if weight_init_method == 'gaussian':
                    nn.init.normal_(m.weight)
                elif weight_init_method == 'xavier':
                    nn.init.xavier_normal_(m.weight)
                elif weight_init_method == 'kaiming':
                    nn.init.kaiming_normal_(m.weight)
                elif weight_init_method == 'zeros':
                    nn.init.zeros_(m.weight)
                nn.init.zeros_(m.bias)
        return model

    def count_parameters(self):
        return sum(p.numel() for p in self.parameters())


hidden_dim = 128
hidden_dims = [64, hidden_dim, hidden_dim, hidden_dim]
model = DNN(hidden_dims=hidden_dims, num_classes=10, dropout_ratio=0.2, apply_batchnorm=True,
            apply_dropout=True, apply_activation=True, set_super=True)
model.weight_initialization('kaiming')
print(model)
print(model.count_parameters())
criterion = nn.NLLLoss()
optimizer = optim.Adam(model.parameters(), lr=0.001)


def training(model, dataloader, train_dataset, criterion, optimizer, device, epoch, num_epochs):
    model.train()
    train_loss = 0.0
    train_accuracy = 0
    tbar = tqdm(dataloader, disable=True)
    for images, labels in tbar:
        images = images.to(device)
        labels = labels.to(device)
        outputs = model(images)
        loss = criterion(outputs, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        train_loss += loss.item()
        _, predicted = torch.max(outputs, 1)
        train_accuracy += (predicted == labels).sum().item()
        tbar.set_description(f'Epoch {epoch+1}/{num_epochs}, Train_Loss: {train_loss:.4f}')
    train_loss /= len(dataloader)
    train_accuracy /= len(train_dataset)
    return model, train_loss, train_accuracy


def evaluation(model, dataloader, valid_dataset, criterion, device, epoch, num_epochs):
    model.eval()
    valid_loss = 0.0
    valid_accuracy = 0
    with torch.no_grad():
        tbar = tqdm(dataloader, disable=True)
        for images, labels in tbar:
            images = images.to(device)
            labels = labels.to(device)
            outputs = model(images)
            loss = criterion(outputs, labels)
            valid_loss += loss.item()
            _, predicted = torch.max(outputs, 1)
            valid_accuracy += (predicted == labels).sum().item()
    valid_loss /= len(dataloader)
    valid_accuracy /= len(valid_dataset)
    return model, valid_loss, valid_accuracy


def training_loop(model, train_dataloader, valid_dataloader, criterion, optimizer, device,
                  num_epochs, patience, model_name):
    best_valid_loss = float('inf')
    early_stop_counter = 0
    valid_max_accuracy = -1
    for epoch in range(num_epochs):
        model, train_loss, train_accuracy = training(model, train_dataloader, train_dataset,
                                                     criterion, optimizer, device, epoch,
                                                     num_epochs)
        model, valid_loss, valid_accuracy = evaluation(model, valid_dataloader, valid_dataset,
                                                       criterion, device, epoch, num_epochs)
        if valid_accuracy > valid_max_accuracy:
            valid_max_accuracy = valid_accuracy
        if valid_loss < best_valid_loss:
            best_valid_loss = valid_loss
            torch.save(model.state_dict(), os.path.join(ckpt_dir, f"model_{model_name}.pt"))
        else:
            early_stop_counter += 1
        print(f"Epoch {epoch+1}/{num_epochs}, Train_Loss: {train_loss:.4f}, "
              f"Train_Accuracy: {train_accuracy:.4f}, Valid_Loss: {valid_loss:.4f}, "
              f"Valid_Accuracy: {valid_accuracy:.4f}")
        if early_stop_counter >= patience:
            print("Early Stopping")
            break
    return model, valid_max_accuracy


ckpt_dir = tempfile.mkdtemp()
model, valid_max_accuracy = training_loop(model, train_dataloader, valid_dataloader, criterion,
                                          optimizer, device, 8, 3, 'dnn')
model.load_state_dict(torch.load(os.path.join(ckpt_dir, "model_dnn.pt")))
print(f"best valid accuracy: {valid_max_accuracy:.4f}")
