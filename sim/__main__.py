import sys

try:
    from sim.cli import main
except KeyboardInterrupt:  # Ctrl-C while the command line loads: nothing was started
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C, or one still pending, cannot cut the exit short
    from sim.runs.provenance import sim_command

    print(f"interrupted: nothing was written; to start again: {sim_command(*sys.argv[1:])}", file=sys.stderr)
    sys.exit(130)

sys.exit(main())
