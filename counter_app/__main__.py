"""`python -m counter_app` runs the same command line as `counter-app`."""

from counter_app.start import main

main()
