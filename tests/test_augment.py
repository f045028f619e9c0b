import pytest
import torch

from snnviz.training.augment import spec_augment


def test_spec_augment_masks_and_shifts_without_touching_the_input():
    torch.manual_seed(0)
    audio = torch.rand(16, 1, 40, 63) + 0.5  # floor of the batch is > 0.5
    before = audio.clone()
    out = spec_augment(audio, max_shift=2, freq_mask=5, time_mask=8)
    assert torch.equal(audio, before)
    assert out.shape == audio.shape
    floor = audio.amin()
    masked = (out == floor).flatten(1).sum(1)
    assert (masked > 0).sum() >= 12  # almost every sample got a mask (widths may be drawn as 0)
    assert not torch.equal(out, audio)


def test_spec_augment_is_reproducible_under_a_seed():
    audio = torch.rand(4, 1, 40, 63)
    torch.manual_seed(3)
    a = spec_augment(audio)
    torch.manual_seed(3)
    b = spec_augment(audio)
    assert torch.equal(a, b)


def test_spec_augment_shift_moves_mel_bands():
    torch.manual_seed(0)
    audio = torch.arange(40, dtype=torch.float32).view(1, 1, 40, 1).expand(1, 1, 40, 5).contiguous()
    out = spec_augment(audio, max_shift=2, freq_mask=0, time_mask=0)
    column = out[0, 0, :, 0]
    shift = int(column[20] - 20)
    assert -2 <= shift <= 2
    assert torch.equal(column[5:35], audio[0, 0, 5 + shift : 35 + shift, 0])


def test_spec_augment_rejects_other_shapes():
    with pytest.raises(ValueError, match=r"expects \(B, 1, n_mels, frames\)"):
        spec_augment(torch.rand(2, 40, 63))
