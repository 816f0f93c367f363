Console.WriteLine("lab: not built yet");
