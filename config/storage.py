"""Where uploaded files live: the local disk (``MEDIA_ROOT``) or an S3-compatible object store.

``MEDIA_STORAGE_URL`` names the store in one URL, e.g. ``s3://KEY:SECRET@minio.internal:9000/meritflow/media``
(``s3+http://`` for a store answering plain HTTP on a trusted network). The path's first part is the bucket, the
rest a prefix inside it; the query may add ``region``. The bucket stays private: files are read by the workers
and served only through meritflow's scoped views, never from a bucket URL.
"""

from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

FILESYSTEM = "django.core.files.storage.FileSystemStorage"
S3 = "storages.backends.s3.S3Storage"


def media_storage(url: str) -> dict:
    """Return the ``STORAGES["default"]`` entry for a ``MEDIA_STORAGE_URL`` ("" is the local disk)."""
    if not url:
        return {"BACKEND": FILESYSTEM}
    parts = urlsplit(url)
    schemes = {"s3": "https", "s3+https": "https", "s3+http": "http"}
    if parts.scheme not in schemes:
        raise ImproperlyConfigured("MEDIA_STORAGE_URL must start with s3://, s3+https:// or s3+http://.")
    bucket, _, prefix = parts.path.lstrip("/").partition("/")
    if not (parts.hostname and bucket and parts.username and parts.password):
        raise ImproperlyConfigured("MEDIA_STORAGE_URL needs a key, a secret, a host and a bucket.")
    host = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    return {
        "BACKEND": S3,
        "OPTIONS": {
            "access_key": unquote(parts.username),
            "secret_key": unquote(parts.password),
            "endpoint_url": f"{schemes[parts.scheme]}://{host}",
            "bucket_name": bucket,
            "location": prefix.strip("/"),
            "region_name": query.get("region", "us-east-1"),
            "addressing_style": "path",
            # Private objects; a name is never reused, so an upload cannot replace another's file.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,
        },
    }
