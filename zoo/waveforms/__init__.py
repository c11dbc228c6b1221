"""The data path of every waveform model: ObsPy streams -> segments -> windows -> predict -> curves -> picks.

One job per module, none of which names a model (everything is read off the card's specs):

- :mod:`~zoo.waveforms.segments`: validation, grouping by instrument, component roles, resampling, gaps;
- :mod:`~zoo.waveforms.windows`: window starts, segment lengths, batches (span + offsets);
- :mod:`~zoo.waveforms.predict`: the compiled batched predict and its threaded runner, with strategies
  (one pass, Monte-Carlo dropout; test-time augmentation is built by ``annotate``);
- :mod:`~zoo.waveforms.stacking`: overlapping window outputs stacked into one curve;
- :mod:`~zoo.waveforms.curves`: the per-segment curves iterator (:func:`curves`) other runners reuse;
- :mod:`~zoo.waveforms.annotate`: ``zoo.annotate``, curves as ObsPy traces;
- :mod:`~zoo.waveforms.picks` and :mod:`~zoo.waveforms.picklist`: triggers, ``zoo.classify``, pick records
  and their CSV/QuakeML output.

The functions below share their names with their modules (``zoo.waveforms.curves`` is the function
here; ``importlib.import_module`` gives the module).

Example:
    >>> import obspy, zoo
    >>> from zoo.waveforms import curves
    >>> [c.trace_id for c in curves(zoo.load("gpd"), obspy.read())]
    ['BW.RJOB..EH']
"""

from zoo.waveforms.annotate import annotate
from zoo.waveforms.curves import SegmentCurves, curves
from zoo.waveforms.picklist import Detection, Pick, PickList
from zoo.waveforms.picks import classify, extract
from zoo.waveforms.segments import Segment, segments

__all__ = [
    "Detection",
    "Pick",
    "PickList",
    "Segment",
    "SegmentCurves",
    "annotate",
    "classify",
    "curves",
    "extract",
    "segments",
]
