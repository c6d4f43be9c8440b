import sys

try:
    from sim.cli import main
except KeyboardInterrupt:  # Ctrl-C while the command line loads: nothing was started
    from sim.runs.provenance import sim_command

    print(f"interrupted: nothing was written; to start again: {sim_command(*sys.argv[1:])}", file=sys.stderr)
    sys.exit(130)

sys.exit(main())
