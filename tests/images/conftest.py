from tests.images.s3_server import s3_settings, s3_storage

__all__ = ["s3_settings", "s3_storage"]
