"""Load mock subscribers and content for the AI module into PostgreSQL (and cache in Redis).

python scripts/init_mock_data.py --subscribers 20 --content 50 [--seed 42] [--dispatch]
"""

from __future__ import annotations

import sys

from bot.cli import main

if __name__ == "__main__":
    main(["seed", *sys.argv[1:]])
