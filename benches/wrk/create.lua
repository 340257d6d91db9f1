-- POST /api/v1/tickets with a fresh title each time (and the -H headers of the command line).
local counter = 0
local headers = {}
init = function()
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Content-Type"] = "application/json"
end
request = function()
  counter = counter + 1
  local body = string.format(
    '{"kind":"incident","title":"Beban uji %d","description":"Uji beban","impact":"medium","urgency":"high","reporter":{"name":"Penguji"}}',
    counter)
  return wrk.format("POST", "/api/v1/tickets", headers, body)
end
