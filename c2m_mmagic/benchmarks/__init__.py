"""Measurements the tools make (not imported by ``import c2m_mmagic``):
speed and memory (``speed``), accuracy on a device (``device_accuracy``),
the device check's summary (``device_summary``) and loss curves compared
(``loss_curves``)."""
