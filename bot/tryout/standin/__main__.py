"""`python -m bot.tryout.standin`: the stand-in on its own, until interrupted."""

from bot.tryout.standin.server import main

main()
