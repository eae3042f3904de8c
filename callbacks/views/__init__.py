"""Agents' and managers' pages: thin views that parse, load through a selector, call one service, render."""
