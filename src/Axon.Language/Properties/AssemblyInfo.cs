// ANTLR's C# template marks every generated type [CLSCompliant(false)]; the assembly must say so too (CS3021).
[assembly: System.CLSCompliant(false)]
