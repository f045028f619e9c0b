import pytest

from snnviz.config import AudioConfig, ImageConfig, ModelConfig, parse_value
from snnviz.errors import ConfigError


def test_model_config_round_trip_through_dict():
    cfg = ModelConfig(num_steps=4, visual_channels=(8, 16), head="linear")
    again = ModelConfig.from_dict(cfg.to_dict())
    assert again == cfg
    assert again.visual_channels == (8, 16)


def test_model_config_unknown_key_lists_valid_keys():
    with pytest.raises(ConfigError, match=r"Unknown ModelConfig key\(s\): bogus\. Valid keys are: num_classes"):
        ModelConfig.from_dict({"bogus": 1})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"beta": 1.5}, r"'beta' must be a float in \[0, 1\]\. Got 1\.5"),
        ({"num_steps": 2.5}, r"'num_steps' must be int\. Got 2\.5"),
        ({"num_steps": True}, r"'num_steps' must be int"),
        ({"visual": "vgg"}, r"'visual' must be one of digits, resnet18\. Got 'vgg'"),
        ({"visual": "resnet18", "image_size": 8}, r"'image_size' must be >= 16"),
        ({"visual_channels": ()}, r"list of 1 to 8 ints in \[1, 4096\]"),
        ({"num_steps": 10**9}, r"'num_steps' must be <= 1024\. Got 1000000000"),
        ({"num_classes": 1}, r"'num_classes' must be >= 2"),
    ],
)
def test_model_config_rejects_bad_values(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        ModelConfig(**kwargs)


def test_model_config_is_frozen():
    with pytest.raises(AttributeError):
        ModelConfig().num_steps = 3  # type: ignore[misc]


def test_float_fields_accept_ints():
    assert ModelConfig(beta=1).beta == 1.0
    assert isinstance(ModelConfig(beta=1).beta, float)


def test_audio_config_frames_follow_hop():
    cfg = AudioConfig(sample_rate=16000, duration=1.0, hop_length=256)
    assert cfg.num_samples == 16000
    assert cfg.frames == 63
    with pytest.raises(ConfigError, match="f_max <= sample_rate / 2"):
        AudioConfig(sample_rate=8000, f_max=8000.0)


def test_image_config_needs_one_stat_per_channel():
    with pytest.raises(ConfigError, match="one value per channel"):
        ImageConfig(channels=3, mean=(0.5,), std=(0.2, 0.2, 0.2))


def test_parse_value_uses_field_types():
    assert parse_value(ModelConfig, "num_steps", "4") == 4
    assert parse_value(ModelConfig, "beta", "0.5") == 0.5
    assert parse_value(ModelConfig, "normalize", "false") is False
    assert parse_value(ModelConfig, "visual_channels", "8,16") == (8, 16)
    with pytest.raises(ConfigError, match="Unknown ModelConfig key"):
        parse_value(ModelConfig, "nope", "1")
    with pytest.raises(ConfigError, match="'normalize' setting must be true or false"):
        parse_value(ModelConfig, "normalize", "maybe")
