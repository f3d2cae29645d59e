"""Regenerate every fixture under test/fixtures/ (see README.md for the exact command)."""
import importlib
import os
import sys

SCRIPTS = ["ops", "op_errors", "printouts", "nn_layers", "losses", "optim", "schedulers", "module_api", "seed_training", "nn_errors"]

if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    for name in SCRIPTS:
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name + ".py")
        if not os.path.exists(path):
            sys.exit(f"missing script {name}.py")
        print(f"== {name}")
        importlib.import_module(name).main()
