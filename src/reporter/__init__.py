"""reporter: sales workbooks in, bonus / customer / win-rate reports out."""

__version__ = "0.1.0"
