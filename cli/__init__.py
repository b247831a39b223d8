"""fastnn's command line (installed as the package fastnn_cli; entry point `fastnn`)."""
