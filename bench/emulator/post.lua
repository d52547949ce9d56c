-- wrk script: POST a small body, as the load generator does with an image.
wrk.method = "POST"
wrk.body = string.rep("j", 1024)
wrk.headers["Content-Type"] = "application/octet-stream"
