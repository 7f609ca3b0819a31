import sys

from agentd.main import main

sys.exit(main())
