"""Reference learning-rate sequences for torch.optim.lr_scheduler (issue 3).

Writes test/fixtures/lr-schedulers.json. Each case makes an SGD optimizer over one or two param
groups (a single scalar parameter each), wraps it in a scheduler and records every group's lr (and
momentum, which OneCycleLR also cycles) before the first step and after each scheduler.step().
The optimizer steps before each scheduler step, as PyTorch recommends; ReduceLROnPlateau steps with
the stored metric of that step.
"""
import warnings

import torch

from common import deterministic_setup, encode_value, write_fixture

CASES = []


def scheduler_case(name, scheduler, options, steps=30, group_lrs=(0.1,), momentum=0.0, metrics=None):
    params = [torch.nn.Parameter(torch.zeros(1, dtype=torch.float64)) for _ in group_lrs]
    groups = [{"params": [p], "lr": lr} for p, lr in zip(params, group_lrs)]
    opt = torch.optim.SGD(groups, lr=group_lrs[0], momentum=momentum)
    sched = getattr(torch.optim.lr_scheduler, scheduler)(opt, **options)
    lrs = [[g["lr"] for g in opt.param_groups]]
    momenta = [[g["momentum"] for g in opt.param_groups]]
    for step in range(steps):
        opt.step()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if metrics is not None:
                sched.step(metrics[step])
            else:
                sched.step()
        lrs.append([g["lr"] for g in opt.param_groups])
        momenta.append([g["momentum"] for g in opt.param_groups])
    entry = {
        "name": name,
        "scheduler": scheduler,
        "options": encode_value(options),
        "optimizer": {"name": "SGD", "group_lrs": list(group_lrs), "momentum": momentum},
        "steps": steps,
        "lrs": lrs,
    }
    if metrics is not None:
        entry["metrics"] = metrics
    if scheduler == "OneCycleLR":
        entry["momenta"] = momenta
    if hasattr(sched, "get_last_lr"):
        entry["last_lr"] = sched.get_last_lr()
    CASES.append(entry)


def main():
    deterministic_setup()
    scheduler_case("StepLR/step5_gamma0.5", "StepLR", {"step_size": 5, "gamma": 0.5})
    scheduler_case("StepLR/default_gamma_two_groups", "StepLR", {"step_size": 3}, group_lrs=(0.1, 0.02))
    scheduler_case("MultiStepLR/milestones", "MultiStepLR", {"milestones": [3, 7, 12], "gamma": 0.1})
    scheduler_case("MultiStepLR/repeated_milestone", "MultiStepLR", {"milestones": [4, 4, 10], "gamma": 0.5})
    scheduler_case("ExponentialLR/gamma0.9", "ExponentialLR", {"gamma": 0.9})
    scheduler_case("ExponentialLR/two_groups", "ExponentialLR", {"gamma": 0.8}, group_lrs=(1.0, 0.5))
    scheduler_case("CosineAnnealingLR/T10_eta_min", "CosineAnnealingLR", {"T_max": 10, "eta_min": 0.001})
    scheduler_case("CosineAnnealingLR/T7_default", "CosineAnnealingLR", {"T_max": 7}, steps=20)
    scheduler_case("LinearLR/defaults", "LinearLR", {}, steps=10)
    scheduler_case("LinearLR/start_end", "LinearLR", {"start_factor": 0.5, "end_factor": 0.1, "total_iters": 10},
                   steps=15)
    scheduler_case("LinearLR/warmup_two_groups", "LinearLR", {"start_factor": 0.1, "total_iters": 4},
                   group_lrs=(0.1, 0.3), steps=8)
    scheduler_case("OneCycleLR/cos", "OneCycleLR", {"max_lr": 1.0, "total_steps": 30}, momentum=0.9, steps=29)
    scheduler_case("OneCycleLR/linear_three_phase", "OneCycleLR",
                   {"max_lr": 0.5, "total_steps": 25, "anneal_strategy": "linear", "three_phase": True,
                    "pct_start": 0.4, "div_factor": 10.0, "final_div_factor": 100.0}, momentum=0.9, steps=24)
    scheduler_case("OneCycleLR/epochs_steps_per_epoch", "OneCycleLR",
                   {"max_lr": [0.2, 0.4], "epochs": 3, "steps_per_epoch": 5, "base_momentum": 0.8,
                    "max_momentum": 0.95}, group_lrs=(0.1, 0.1), momentum=0.9, steps=14)
    scheduler_case("OneCycleLR/no_cycle_momentum", "OneCycleLR",
                   {"max_lr": 0.3, "total_steps": 12, "cycle_momentum": False}, steps=11)
    falling_then_flat = [1.0, 0.9, 0.8, 0.85, 0.82, 0.81, 0.81, 0.81, 0.7, 0.71, 0.72, 0.73, 0.74, 0.75, 0.76,
                         0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]
    scheduler_case("ReduceLROnPlateau/min_patience2", "ReduceLROnPlateau", {"factor": 0.5, "patience": 2},
                   metrics=falling_then_flat, steps=len(falling_then_flat))
    scheduler_case("ReduceLROnPlateau/cooldown_min_lr_abs", "ReduceLROnPlateau",
                   {"factor": 0.1, "patience": 1, "cooldown": 2, "min_lr": 0.0005, "threshold": 0.05,
                    "threshold_mode": "abs"}, metrics=falling_then_flat, steps=len(falling_then_flat))
    rising = [0.1, 0.2, 0.25, 0.24, 0.26, 0.26, 0.26, 0.3, 0.3, 0.3, 0.3, 0.3, 0.31, 0.3, 0.3, 0.3]
    scheduler_case("ReduceLROnPlateau/max_mode", "ReduceLROnPlateau", {"mode": "max", "factor": 0.2, "patience": 1},
                   metrics=rising, steps=len(rising), group_lrs=(0.1, 0.01))
    scheduler_case("ReduceLROnPlateau/eps_stops_tiny_updates", "ReduceLROnPlateau",
                   {"factor": 0.5, "patience": 0, "eps": 0.02}, metrics=[1.0] * 12, steps=12, group_lrs=(0.1,))
    write_fixture("lr-schedulers.json", __file__, {
        "description": "torch.optim.lr_scheduler lr sequences. See scripts/reference/README.md.",
        "cases": CASES,
    })
    print(f"{len(CASES)} cases")


if __name__ == "__main__":
    main()
