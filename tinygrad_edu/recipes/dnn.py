"""The seed-001 DNN shared by the digits and mnist recipes.

Each hidden block is Linear → BatchNorm1d → Dropout → ReLU; a Linear classifier follows and
LogSoftmax turns its logits into log-probabilities for NLLLoss. (The seed applied Softmax and
then NLLLoss, which is why its printed losses are negative; NLLLoss wants log-probabilities.)
"""


def build_dnn(torch, hidden_dims, num_classes=10, dropout_ratio=0.2):
    nn = torch.nn

    class DNN(nn.Module):
        def __init__(self, hidden_dims, num_classes, dropout_ratio):
            super().__init__()
            self.hidden_dims = hidden_dims
            self.layers = nn.ModuleList()
            for i in range(len(hidden_dims) - 1):
                self.layers.append(nn.Linear(hidden_dims[i], hidden_dims[i + 1]))
                self.layers.append(nn.BatchNorm1d(hidden_dims[i + 1]))
                self.layers.append(nn.Dropout(dropout_ratio))
                self.layers.append(nn.ReLU())
            self.classifier = nn.Linear(hidden_dims[-1], num_classes)
            self.log_softmax = nn.LogSoftmax(dim=1)

        def forward(self, x):
            x = x.view(x.size(0), -1)
            for layer in self.layers:
                x = layer(x)
            return self.log_softmax(self.classifier(x))

        def count_parameters(self):
            return sum(p.numel() for p in self.parameters())

    return DNN(hidden_dims, num_classes, dropout_ratio)


def nll_loss(torch):
    return torch.nn.NLLLoss()
