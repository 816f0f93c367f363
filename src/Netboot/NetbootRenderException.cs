namespace Portal.Netboot;

/// <summary>
/// Something a machine would be served could not be produced completely and correctly. Netboot
/// throws rather than serve a half-filled script or config; the message says what is wrong in
/// words an admin can act on (it is shown in previews and on the deployment timeline).
/// </summary>
public class NetbootRenderException(string message, Exception? inner = null) : Exception(message, inner);
