#!/usr/bin/env python
from homefront.cli import main

if __name__ == "__main__":
    main()
