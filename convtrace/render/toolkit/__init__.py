"""The one toolkit: text blocks, labelled grids, value grids and text tables that every view is drawn with."""
