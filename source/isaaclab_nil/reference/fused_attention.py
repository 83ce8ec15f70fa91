"""TimeSformer attention on torch's fused ``scaled_dot_product_attention`` (SDPA), with the model's own weights.

transformers' ``TimesformerModel`` (checked on 5.10) has eager attention only: it refuses
``attn_implementation="sdpa"`` and materialises every (tokens x tokens) score matrix, 8 x 12 x 197 x 197
per clip and layer for the spatial half of divided space-time attention at base size. :func:`use_fused_attention`
replaces each ``TimesformerSelfAttention`` in a loaded model with :class:`FusedSelfAttention`, which keeps the
same ``qkv`` linear layer (so the state dict, ``save_pretrained`` and every other part of the forward pass,
the divided space-time reshapes included, stay transformers' own) and computes softmax(q k^T * scale) v in one
SDPA call: flash / memory-efficient kernels on CUDA, torch's flash-attention kernel for the CPU (profiled:
``_scaled_dot_product_flash_attention_for_cpu``). The outputs equal the eager model's to float rounding
(tested at 1e-4 in float32); only ``output_attentions=True`` is lost, since the fused kernels never form the
attention probabilities.
"""

from __future__ import annotations

import torch
import transformers
from torch import nn
from transformers.models.timesformer.modeling_timesformer import TimesformerSelfAttention


class FusedSelfAttention(nn.Module):
    """``TimesformerSelfAttention`` computed with SDPA; built from an eager one, whose ``qkv`` layer it takes over."""

    def __init__(self, eager: TimesformerSelfAttention):
        super().__init__()
        self.qkv = eager.qkv
        self.num_heads = eager.num_heads
        self.scale = eager.scale
        self.dropout = eager.attn_drop.p

    def forward(self, hidden_states: torch.Tensor, output_attentions: bool = False) -> tuple[torch.Tensor]:
        """(B, N, C) -> a 1-tuple holding the (B, N, C) attention output, as the eager module returns it."""
        if output_attentions:
            raise ValueError("fused attention does not form attention probabilities; load the encoder eager")
        batch, tokens, channels = hidden_states.shape
        query, key, value = self.qkv(hidden_states).view(batch, tokens, 3, self.num_heads, -1).permute(2, 0, 3, 1, 4)
        dropout = self.dropout if self.training else 0.0
        context = nn.functional.scaled_dot_product_attention(query, key, value, dropout_p=dropout, scale=self.scale)
        return (context.transpose(1, 2).reshape(batch, tokens, channels),)


def use_fused_attention[M: transformers.PreTrainedModel](model: M) -> M:
    """Swap every ``TimesformerSelfAttention`` of ``model`` (a ``TimesformerModel`` or a model holding one) for
    :class:`FusedSelfAttention`, in place; returns ``model``. The weights and state dict keys do not change."""
    eager = [name for name, module in model.named_modules() if isinstance(module, TimesformerSelfAttention)]
    for name in eager:
        model.set_submodule(name, FusedSelfAttention(model.get_submodule(name)))
    return model
