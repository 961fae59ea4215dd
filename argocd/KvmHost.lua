-- Argo CD health of a kvmop.io KvmHost (written by the node's agent): Healthy when Ready,
-- Suspended when cordoned, Degraded when the node cannot run machines (Ready False), else
-- Progressing (no report yet).
if obj.spec ~= nil and obj.spec.cordoned == true then
  return {status = "Suspended", message = "cordoned: no new machines are placed here"}
end
if obj.status == nil then
  return {status = "Progressing", message = "waiting for the node's kvmop agent"}
end
for _, c in ipairs(obj.status.conditions or {}) do
  if c.type == "Ready" then
    if c.status == "True" then
      return {status = "Healthy", message = c.message or ""}
    end
    return {status = "Degraded", message = (c.reason or "") .. ": " .. (c.message or "")}
  end
end
return {status = "Progressing", message = "waiting for the node's kvmop agent"}
