"""`python -m prep_bot.cli`: the same as the `prep-bot` command."""

from prep_bot.cli.main import main

main()
