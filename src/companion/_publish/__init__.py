"""In: a built site folder and a target (a folder or s3://bucket/prefix). Out: the target
updated in order behind a manifest and a lease; refused when the build has errors."""
