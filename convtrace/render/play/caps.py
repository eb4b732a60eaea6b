"""How many frames a printed trace draws by default: plain numbers, importable without numpy or Rich."""

FRAME_CAP = 100  # frames drawn for an --at selection; the rest are traced and counted, not drawn
GRAD_FRAME_CAP = 30  # cells of each gradient `grad` draws unless --limit says otherwise
