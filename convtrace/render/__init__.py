"""Turning engine events into text: JSON records, plain lines and Rich frames. Nothing here computes.

    toolkit/   text blocks, labelled grids, value grids, text tables: what every view is drawn with
    frames/    one step drawn (2-D convolution, the other layers, the backward pass, the better ways)
    views/     a command's whole view that is no walk of frames (explain, compare, check, bench, lessons)
    play/      frames in a terminal: pages, the classroom player, fitting to the screen, --at
    output/    frames written out: --json, jsonl and plain records, exports, the HTML page, notebooks
"""
