-- wrk: HTTP/1.0 requests without Connection: keep-alive, so every request
-- comes on a new connection that the server closes after the response.
local req = "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\nUser-Agent: wrk\r\n\r\n"
request = function() return req end
