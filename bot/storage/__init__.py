"""All SQL lives here: the connection manager, migrations and one repository module per table family."""
