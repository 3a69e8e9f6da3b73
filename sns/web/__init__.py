"""HTML pages: parse input, call a service, render a template. One module per area."""
