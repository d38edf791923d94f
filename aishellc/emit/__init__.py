"""Printers and renderers: the only part of aishellc that produces output text."""
