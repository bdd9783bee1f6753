Console.WriteLine("axon");
