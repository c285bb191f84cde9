"""The lecture's minimal GRPO script (lecture17 section 五), parameterised by seed.

Policy = Embedding(32, 64) + Linear(64, 8); reward 1 if action == prompt % 8; group 8, batch 16,
clip 0.2, beta 0.05 with the k3 KL to a frozen deep copy of the initial policy, 4 PPO epochs on
one rollout batch, AdamW lr 1e-3 (PyTorch default weight decay 0.01), advantages with the
Bessel-corrected std + 1e-8. The loss is the script's "complete" loop (clipped term multiplied
by the advantages) plus beta * k3 KL as in its first listing. Prints one JSON line.
Usage: /usr/bin/python3 bench/grpo/lecture_grpo.py [--seed S] [--steps N] [--threads 1]
"""
import argparse
import copy
import json
import time

import torch
import torch.nn as nn
from torch.distributions import Categorical


class Policy(nn.Module):
    def __init__(self, num_prompts, num_actions, hidden_dim=64):
        super().__init__()
        self.emb = nn.Embedding(num_prompts, hidden_dim)
        self.head = nn.Linear(hidden_dim, num_actions)

    def forward(self, prompts):
        x = self.emb(prompts)
        logits = self.head(x)
        return logits


def reward_fn(prompts, actions, num_actions):
    targets = prompts % num_actions
    return (actions == targets).float()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    num_prompts, num_actions = 32, 8
    policy = Policy(num_prompts, num_actions)
    ref_policy = copy.deepcopy(policy)
    for p in ref_policy.parameters():
        p.requires_grad = False
    optimizer = torch.optim.AdamW(policy.parameters(), lr=1e-3)
    group_size, batch_size, clip_eps, beta = 8, 16, 0.2, 0.05

    curve = []
    t0 = time.perf_counter()
    for step in range(args.steps):
        prompts = torch.randint(0, num_prompts, (batch_size,))
        prompts_group = prompts.repeat_interleave(group_size)
        with torch.no_grad():
            logits_old = policy(prompts_group)
            dist_old = Categorical(logits=logits_old)
            actions = dist_old.sample()
            old_log_probs = dist_old.log_prob(actions)
            rewards = reward_fn(prompts_group, actions, num_actions)
            ref_log_probs = Categorical(logits=ref_policy(prompts_group)).log_prob(actions)
        rewards_grouped = rewards.view(batch_size, group_size)
        mean = rewards_grouped.mean(dim=1, keepdim=True)
        std = rewards_grouped.std(dim=1, keepdim=True) + 1e-8
        advantages = ((rewards_grouped - mean) / std).view(-1).detach()
        curve.append(rewards.mean().item())
        for ppo_epoch in range(4):
            logits = policy(prompts_group)
            log_probs = Categorical(logits=logits).log_prob(actions)
            ratio = torch.exp(log_probs - old_log_probs)
            unclipped = ratio * advantages
            clipped = torch.clamp(ratio, 1 - clip_eps, 1 + clip_eps) * advantages
            policy_loss = -torch.min(unclipped, clipped).mean()
            log_ratio_ref = ref_log_probs - log_probs
            kl_loss = (torch.exp(log_ratio_ref) - log_ratio_ref - 1).mean()
            loss = policy_loss + beta * kl_loss
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    wall = time.perf_counter() - t0

    with torch.no_grad():
        all_prompts = torch.arange(num_prompts)
        logp = torch.log_softmax(policy(all_prompts), dim=-1)
        ref_logp = torch.log_softmax(ref_policy(all_prompts), dim=-1)
        greedy = (logp.argmax(dim=-1) == all_prompts % num_actions).float().mean().item()
        kl_to_ref = (logp.exp() * (logp - ref_logp)).sum(dim=-1).mean().item()
    last = curve[-50:]
    print(json.dumps({
        "seed": args.seed, "steps": args.steps, "greedyAccuracy": greedy,
        "meanRewardLast50": sum(last) / len(last), "klToRef": kl_to_ref,
        "wallSeconds": wall, "curve": curve,
    }))


if __name__ == "__main__":
    main()
