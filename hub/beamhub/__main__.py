import sys

from beamhub.cli import main

sys.exit(main())
