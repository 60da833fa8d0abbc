from kbuild.cli import cli

cli()
