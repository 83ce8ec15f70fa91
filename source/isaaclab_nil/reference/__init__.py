"""Stage 1 of NIL after the first frame: reference video, robot masks, clip embeddings, bundle.

Pure Python / PyTorch, no Isaac Lab import. Import from the modules (this package imports nothing, so
stage 2 loading the encoder does not pull in diffusers):

* :mod:`.pipeline`     ``build_reference_bundle``, ``ReferenceSpec``: the whole of stage 1 after rendering
* :mod:`.generators`   ``DiffusersVideoGenerator`` + ``GenerationOptions`` (LTX-Video, Wan, CogVideoX, SVD),
                       ``VideoFileSource``
* :mod:`.segmentation` ``load_segmenter``: SAM 2 through transformers (``RobotSegmenter``) or Meta's ``sam2``
                       package (``Sam2PackageSegmenter``); ``first_frame_iou``
* :mod:`.encoder`      ``VideoEncoder`` (TimeSformer), ``build_clips``, ``masked_frames``; shared with stage 2
* :mod:`.bundle`       ``save_bundle``, ``load_bundle``, ``BundleExpectation``, ``CameraSpec``
* :mod:`.video_io`     read / write / resize / letterbox videos
* :mod:`.preview`      contact sheet and overlay video
* :mod:`.hub`          loading by hub id or local folder, with one clear error when a model is missing
* :mod:`.errors`       ``BundleError``, ``VideoReadError``, ``ModelLoadError``

See ``docs/reference_pipeline.md``.
"""
