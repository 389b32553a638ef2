"""Differential fuzzer: random small torch programs run with torch and with tinygrad_edu.

gen.py draws a program (grammar.py holds the op templates), run.py runs it against a library
and compares the two runs, shrink.py reduces a failing program; ../fuzz_graphs.py is the CLI.
"""
