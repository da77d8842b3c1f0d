"""pillars: the standard training workflow on minigrad or torch (in progress; see swap.py)."""
