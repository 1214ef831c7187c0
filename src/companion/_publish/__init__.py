"""In: a built site folder and a target (a folder or s3://bucket/prefix). Out: the target
updated in order behind a manifest and a lease; refused when the build has errors.
`gate` decides whether to publish, `run` plans and sends, `manifest` is what the target
holds; `targets` is what every target shares, `folder` and `s3` are the targets, `choice`
opens the one a spec names."""
