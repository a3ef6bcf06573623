"""Datasets with Keras's ``load_data`` signatures."""

from torchkeras.datasets import digits as digits
from torchkeras.datasets import boston_housing as boston_housing
from torchkeras.datasets import cifar10 as cifar10
from torchkeras.datasets import cifar100 as cifar100
from torchkeras.datasets import fashion_mnist as fashion_mnist
from torchkeras.datasets import imdb as imdb
from torchkeras.datasets import mnist as mnist
from torchkeras.datasets import reuters as reuters
