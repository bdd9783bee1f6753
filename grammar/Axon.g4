grammar Axon;
program : EOF ;
WS : [ \t\r\n]+ -> skip ;
