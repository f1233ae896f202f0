# mmagic's runtime, plus what every c2m_mmagic run needs: the plugin loaded
# through custom_imports; checkpoints written atomically (a temporary file,
# then a rename) that torch's weights-only loading reads back; checkpoints
# that do not fit the model refused (load_from and --resume); a stop at the
# first non-finite loss.
_base_ = 'mmagic::_base_/default_runtime.py'
custom_imports = dict(imports=['c2m_mmagic'], allow_failed_imports=False)

default_hooks = dict(
    checkpoint=dict(
        out_dir=None,  # in the work dir, wherever that is
        save_optimizer=True,
        backend_args=dict(backend='atomic_local')),
    portable_checkpoint=dict(type='PortableCheckpointHook'),
    strict_load=dict(type='StrictLoadHook'),
    non_finite_loss=dict(type='NonFiniteLossHook'),
)
custom_hooks = []
