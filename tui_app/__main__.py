"""Entry point placeholder until the app lands."""

def main() -> int:
    return 0
